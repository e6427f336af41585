"""Requesters' pages: file a request, follow it, answer what staff ask, get the receipt."""

from __future__ import annotations

from contextlib import ExitStack
from datetime import timedelta
from typing import Any

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_login import login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from helpdesk import plugins
from helpdesk import service_forms
from helpdesk import service_settings
from helpdesk import staged_uploads
from helpdesk import surveys
from helpdesk import tickets
from helpdesk.catalog import RequirementIssue
from helpdesk.catalog import workflow_of
from helpdesk.extensions import db
from helpdesk.models import Ticket
from helpdesk.models import Unit
from helpdesk.storage import StorageError
from helpdesk.tenancy import require_tenant
from helpdesk.ticket_access import ticket_by_folio_or_404
from helpdesk.ticket_access import visible
from helpdesk.views import service_documents
from helpdesk.views import ticket_pages

bp = Blueprint("requests", __name__, url_prefix="/<tenant>")

# Hidden inputs of files kept from an earlier try of the form, and their "drop" boxes.
STAGED_FIELD = "staged_upload"
DROP_FIELD = "drop_staged"
MAX_TOKENS = 100  # more than any form legitimately carries


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
    """File a validated request form (portal or desk); findings go back onto the form.

    Files kept from an earlier try (see :func:`kept_files`) go in first, then
    this POST's; they leave the staging folder once the request is filed.
    """
    area = staging_area()
    with ExitStack() as streams:
        earlier = []
        for staged in kept_files():
            try:
                stream = streams.enter_context(area.open(staged))
            except (OSError, ValueError):
                _forget_kept(staged)
                continue
            earlier.append(tickets.Upload(staged.name, stream))
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
                uploads=[*earlier, *uploads_from(form)],
                late_justification=service_forms.late_justification(form),
            )
        except tickets.FilingError as exc:
            ticket_pages.attach_issues(form, exc.issues)
            return None, exc.issues
    for staged in kept_files():
        area.discard(staged)
    g.kept_files = []
    return ticket, []


def staging_area() -> staged_uploads.StagingArea:
    """The staging folder under the upload root, with the configured lifetime."""
    hours = float(current_app.config.get("HELPDESK_STAGED_UPLOAD_HOURS", 24))
    root = tickets.storage().root / staged_uploads.FOLDER
    return staged_uploads.StagingArea(root, timedelta(hours=hours))


def _owner() -> staged_uploads.Owner:
    return staged_uploads.Owner(user_id=current_user.id, tenant_id=require_tenant().id)


def kept_files() -> list[staged_uploads.StagedFile]:
    """The files kept from an earlier try that this POST still carries, once per request.

    Tokens whose "drop" box is ticked are discarded; a token that is malformed,
    expired or someone else's is ignored with a message.
    """
    if "kept_files" in g:
        return g.kept_files
    kept: list[staged_uploads.StagedFile] = []
    if request.method == "POST":
        area = staging_area()
        owner = _owner()
        dropped = set(request.form.getlist(DROP_FIELD))
        tokens = list(dict.fromkeys(request.form.getlist(STAGED_FIELD)))
        unusable = 0
        for token in tokens[:MAX_TOKENS]:
            staged = area.claim(token, owner)
            if staged is None:
                unusable += 1
            elif token in dropped:
                area.discard(staged)
            else:
                kept.append(staged)
        if unusable:
            flash(
                ngettext(
                    "A file kept from an earlier try is no longer available; attach it again.",
                    "%(num)d files kept from an earlier try are no longer available; "
                    "attach them again.",
                    unusable,
                ),
                "error",
            )
    g.kept_files = kept
    return kept


def _forget_kept(staged: staged_uploads.StagedFile) -> None:
    g.kept_files = [f for f in kept_files() if f.token != staged.token]
    flash(_("“%(name)s” is no longer available; attach it again.", name=staged.name), "error")


def keep_uploads(form: Any) -> list[staged_uploads.StagedFile]:
    """Keep this POST's acceptable new files next to those kept before; returns them all.

    Each file is checked as storage checks it (not empty, allowed type by
    content, size); a refused one is not kept and its reason goes under the
    attachments field, unless filing already said so.
    """
    kept = list(kept_files())
    new = [f for f in (form.attachments.data or []) if f and f.filename]
    if not new:
        return kept
    config = current_app.config
    per_file = config.get("HELPDESK_MAX_FILE_BYTES", 10 * 1024 * 1024)
    per_ticket = config.get("HELPDESK_MAX_TICKET_BYTES", 25 * 1024 * 1024)
    max_files = config.get("HELPDESK_MAX_FILES", 10)
    area = staging_area()
    area.cleanup()
    owner = _owner()
    total = sum(f.size for f in kept)
    for upload in new:
        name = upload.filename[:255]
        if len(kept) >= max_files:
            _refuse(form, name, _("a request takes up to %(count)d files", count=max_files))
            continue
        try:
            upload.stream.seek(0)
            staged = area.stage(upload.stream, name, owner, per_file)
        except StorageError as exc:
            _refuse(form, name, _refusal(exc.code, per_file))
            continue
        except (OSError, ValueError):
            _refuse(form, name, _("it could not be read again"))
            continue
        if total + staged.size > per_ticket:
            area.discard(staged)
            mb = per_ticket // (1024 * 1024)
            _refuse(form, name, _("the request's files would add up to more than %(mb)d MB", mb=mb))
            continue
        kept.append(staged)
        total += staged.size
    g.kept_files = kept
    return kept


def _refusal(code: str, per_file: int) -> str:
    if code == "type":
        return _(
            "its content is not of an allowed type (PDF, images, Office or OpenDocument "
            "files, ZIP, MP4, MP3)"
        )
    if code == "size":
        return _("it is larger than %(mb)d MB", mb=per_file // (1024 * 1024))
    if code == "empty":
        return _("it is empty")
    return _("it was not accepted")


def _refuse(form: Any, name: str, reason: str) -> None:
    field = form.attachments
    if any(f"«{name}»" in str(error) for error in field.errors):
        return  # filing already explained why
    message = _("“%(name)s” was not kept: %(reason)s.", name=name, reason=reason)
    field.errors = [*field.errors, message]


def render_request_form(
    form: Any,
    item: service_settings.EffectiveService,
    issues: list[RequirementIssue],
    *,
    on_behalf: bool = False,
) -> str:
    """The request form; when it comes back after a POST, the files sent so far stay with it."""
    kept = keep_uploads(form) if request.method == "POST" else []
    return render_template(
        "requests/new.html",
        form=form,
        item=item,
        definition=item.definition,
        service_fields=service_forms.service_field_names(item.definition),
        issues=issues,
        on_behalf=on_behalf,
        kept_files=kept,
        staged_field=STAGED_FIELD,
        drop_field=DROP_FIELD,
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
    return render_template(
        "requests/mine.html",
        rows=rows,
        labels=labels,
        catalog=catalog,
        open_surveys=surveys.open_surveys(current_user, [row.id for row in rows]),
    )


@bp.get("/solicitudes/<folio>")
def show(folio: str) -> str:
    ticket = ticket_by_folio_or_404(folio)
    return ticket_pages.render_ticket(ticket, audience="requester")


@bp.post("/solicitudes/<folio>/pasos/<name>")
def take(folio: str, name: str) -> Response | str:
    ticket = ticket_by_folio_or_404(folio)
    return ticket_pages.take_transition(ticket, name, audience="requester")


@bp.post("/solicitudes/<folio>/comentarios")
def comment(folio: str) -> Response | str | tuple[str, int]:
    ticket = ticket_by_folio_or_404(folio)
    return ticket_pages.add_comment(ticket, audience="requester")


@bp.route("/solicitudes/<folio>/corregir", methods=["GET", "POST"])
def resubmit(folio: str) -> str | Response:
    ticket = ticket_by_folio_or_404(folio)
    return ticket_pages.resubmit(ticket)


@bp.get("/solicitudes/<folio>/acuse.pdf")
def receipt(folio: str) -> Response:
    return ticket_pages.receipt(ticket_by_folio_or_404(folio))


@bp.get("/solicitudes/<folio>/documentos/<name>.pdf")
def document(folio: str, name: str) -> Response:
    return service_documents.document_response(ticket_by_folio_or_404(folio), name)


@bp.get("/adjuntos/<int:attachment_id>")
def attachment(attachment_id: int) -> Response:
    return ticket_pages.download(attachment_id)
