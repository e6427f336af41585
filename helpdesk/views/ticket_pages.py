"""What the requester's and the staff's ticket pages share.

Showing a ticket, taking a workflow step from a form, re-sending corrected
data, the receipt PDF and attachment downloads: one implementation, two
audiences, the same access rule (:mod:`helpdesk.ticket_access`).
"""

from __future__ import annotations

from typing import Any

from flask import Response
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import send_file
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from helpdesk import comments
from helpdesk import documents
from helpdesk import service_forms
from helpdesk import service_settings
from helpdesk import sla
from helpdesk import surveys
from helpdesk import tickets
from helpdesk.catalog import RequirementIssue
from helpdesk.documents import render_pdf
from helpdesk.extensions import db
from helpdesk.forms.comments import CommentForm
from helpdesk.forms.tickets import TransitionForm
from helpdesk.forms.validators import choices
from helpdesk.models import Attachment
from helpdesk.models import Department
from helpdesk.models import Ticket
from helpdesk.models import TicketEvent
from helpdesk.models import User
from helpdesk.plugins import host
from helpdesk.tenancy import require_tenant
from helpdesk.ticket_access import service_of
from helpdesk.ticket_access import ticket_by_folio_or_404
from helpdesk.ticket_access import visible
from helpdesk.ticket_access import workflow_for
from helpdesk.workflow.engine import StaleTicketError
from helpdesk.workflow.engine import TransitionError
from helpdesk.workflow.engine import allowed
from helpdesk.workflow.engine import apply


def attach_issues(form: Any, issues: list[RequirementIssue]) -> None:
    """Show each finding under its field (or at the top when it concerns no field)."""
    for issue in issues:
        field = getattr(form, issue.field, None) if issue.field else None
        if field is not None:
            field.errors = [*field.errors, issue.message]


def _service_settings(ticket: Ticket) -> service_settings.EffectiveService:
    tenant = require_tenant()
    service = service_of(ticket)
    rows = service_settings.ensure_rows(tenant, host().catalog)
    return service_settings.effective(service, rows[service.code], tenant)


def step_context(ticket: Ticket) -> dict[str, Any]:
    """What the engine's field rules need: the checklist and the default department."""
    department = _service_settings(ticket).department
    return {
        "checklist": service_of(ticket).checklist,
        "default_department_id": department.id if department else None,
    }


def transition_form(ticket: Ticket) -> TransitionForm:
    form = TransitionForm(formdata=None, version=ticket.version)
    prepare_choices(form, ticket)
    return form


def prepare_choices(form: TransitionForm, ticket: Ticket) -> None:
    departments = db.session.scalars(
        select(Department).where(Department.active).order_by(Department.name)
    ).all()
    form.department_id.choices = choices([(d.id, d.name) for d in departments])
    if form.department_id.data is None and ticket.department_id:
        form.department_id.data = ticket.department_id
    agents = [
        u
        for u in db.session.scalars(select(User).where(User.active).order_by(User.name))
        if "agent" in u.roles
        and (not ticket.department_id or u.department_id == ticket.department_id)
    ]
    form.assignee_id.choices = choices([(u.id, u.name) for u in agents])
    checklist = service_of(ticket).checklist
    form.checklist.choices = choices([(item, item) for item in checklist])


def render_ticket(
    ticket: Ticket,
    *,
    audience: str,
    forms: dict[str, Any] | None = None,
    comment_form: CommentForm | None = None,
) -> str:
    service = service_of(ticket)
    workflow = workflow_for(ticket)
    events = db.session.scalars(
        select(TicketEvent)
        .where(TicketEvent.ticket_id == ticket.id)
        .options(selectinload(TicketEvent.actor))
        .order_by(TicketEvent.seq)
    ).all()
    steps = allowed(workflow, ticket, current_user)
    if audience == "requester":
        steps = [t for t in steps if {"requester", "liaison"} & set(t.actors)]
        # Internal notes never reach the requester's page, not even hidden.
        events = comments.for_requester(events)
    forms = dict(forms or {})
    for step in steps:
        forms.setdefault(step.name, transition_form(ticket))
    may_comment = comments.may_comment(ticket, current_user, internal=False)
    if may_comment and comment_form is None:
        comment_form = CommentForm(formdata=None)
    return render_template(
        "tickets/show.html",
        ticket=ticket,
        service=service,
        workflow=workflow,
        state=workflow.states.get(ticket.state),
        events=events,
        steps=steps,
        forms=forms,
        audience=audience,
        links=tickets.linked(ticket),
        clocks=sla.ticket_readings(ticket),
        documents=documents.available(service, list(events), current_user),
        data_rows=service_forms.readable_data(service, ticket.data or {}),
        comment_form=comment_form if may_comment else None,
        may_write_internal=audience != "requester"
        and comments.may_comment(ticket, current_user, internal=True),
        survey=surveys.open_survey(ticket, current_user) if audience == "requester" else None,
        survey_answer=surveys.answer_of(ticket) if audience != "requester" else None,
        rating_labels=surveys.RATING_LABELS,
        plugin_links=host().ticket_links(
            ticket=ticket,
            user=current_user,
            audience="requester" if audience == "requester" else "staff",
        ),
    )


def _back_to(ticket: Ticket, audience: str) -> str:
    if audience == "requester":
        return url_for("requests.show", folio=ticket.folio)
    return url_for("desk.ticket", folio=ticket.folio)


def take_transition(ticket: Ticket, name: str, *, audience: str) -> Response | str:
    """Apply the step named ``name`` from the posted form; errors come back on the page."""
    back = _back_to(ticket, audience)
    workflow = workflow_for(ticket)
    transition = workflow.transition(name)
    if transition is None:
        abort(404)
    if name == "resubmit":
        return redirect(url_for("requests.resubmit", folio=ticket.folio))
    form = TransitionForm()
    prepare_choices(form, ticket)
    if not form.validate_on_submit():
        return render_ticket(ticket, audience=audience, forms={name: form}), 400
    fields: dict[str, Any] = {
        "department_id": form.department_id.data,
        "assignee_id": form.assignee_id.data,
        "text": form.text.data,
        "date": form.date.data,
        "checklist": {item: True for item in form.checklist.data or []},
    }
    stored: list[tuple[tickets.Upload, Any]] = []
    try:
        if "file" in transition.requires:
            uploads = [
                tickets.Upload(f.filename, f.stream)
                for f in form.attachments.data or []
                if f and f.filename
            ]
            stored = tickets.store_uploads(uploads, already=sum(a.size for a in ticket.attachments))
            rows = tickets.attachment_rows(ticket, stored, current_user)
            db.session.flush()
            fields["attachment_ids"] = [row.id for row in rows]
        apply(
            ticket.id,
            name,
            current_user,
            workflow=workflow,
            reason=form.reason.data,
            fields=fields,
            expected_version=int(form.version.data or 0) or None,
            context=step_context(ticket),
        )
    except (TransitionError, tickets.FilingError) as exc:
        db.session.rollback()
        for _upload, saved in stored:
            tickets.storage().delete(saved.key)
        ticket = ticket_by_folio_or_404(ticket.folio)
        if isinstance(exc, StaleTicketError):
            flash(exc.message, "error")
            return redirect(back)
        messages = (
            [exc.message]
            if isinstance(exc, TransitionError)
            else [issue.message for issue in exc.issues]
        )
        if name not in {step.name for step in allowed(workflow, ticket, current_user)}:
            # The step is not offered now (its guard refuses, or another step
            # came first): no form to show the reason on, so say it on the page.
            for message in messages:
                flash(message, "error")
            return redirect(back)
        target = getattr(form, getattr(exc, "field", None) or "reason", None) or form.reason
        if isinstance(exc, tickets.FilingError):
            target = form.attachments
        target.errors = [*list(target.errors or []), *messages]
        prepare_choices(form, ticket)
        return render_ticket(ticket, audience=audience, forms={name: form}), 400
    flash(_("Done: %(step)s.", step=transition.label), "success")
    return redirect(back)


def add_comment(ticket: Ticket, *, audience: str) -> Response | str | tuple[str, int]:
    """Add the posted comment; errors come back on the form, in the user's language.

    On the requester's page a comment is always public, whoever posts it.
    """
    back = _back_to(ticket, audience)
    form = CommentForm()
    internal = audience != "requester" and bool(form.internal.data)
    if not comments.may_comment(ticket, current_user, internal=internal):
        abort(404 if audience == "requester" else 403)
    if not form.validate_on_submit():
        return render_ticket(ticket, audience=audience, comment_form=form), 400
    try:
        comments.add_comment(ticket, current_user, form.text.data, internal=internal)
    except comments.CommentError as exc:
        db.session.rollback()
        ticket = ticket_by_folio_or_404(ticket.folio)
        form.text.errors = [*list(form.text.errors or []), str(exc.message)]
        return render_ticket(ticket, audience=audience, comment_form=form), 400
    flash(_("Internal note added.") if internal else _("Comment added."), "success")
    return redirect(f"{back}#timeline")


def resubmit(ticket: Ticket) -> Response | str:
    """The requester edits the data and re-sends it after a request to complete."""
    back = _back_to(ticket, "requester")
    service = service_of(ticket)
    workflow = workflow_for(ticket)
    transition = workflow.transition("resubmit")
    if transition is None or transition not in allowed(workflow, ticket, current_user):
        abort(404)
    form_cls = service_forms.form_class(service, liaison=False)
    if request.method == "POST":
        form = form_cls()
    else:
        form = form_cls(formdata=service_forms.json_to_formdata(ticket.data or {}))
        form.version.data = ticket.version
    form.unit_id.choices = choices([(ticket.unit_id or 0, "—")])
    form.unit_id.data = ticket.unit_id or 0
    # The reason of the step that asked for the correction, whoever took it
    # (the coordinator, or DGD in P10).
    last_reason = db.session.scalar(
        select(TicketEvent.reason)
        .where(TicketEvent.ticket_id == ticket.id, TicketEvent.to_state == ticket.state)
        .order_by(TicketEvent.seq.desc())
        .limit(1)
    )
    if request.method == "POST" and form.validate():
        data = tickets.json_ready(service_forms.service_data(form, service))
        issues = [
            i
            for i in tickets.requirement_issues(service, require_tenant(), data, ticket)
            if i.blocking
        ]
        if issues:
            attach_issues(form, issues)
        else:
            # The missing document is often a file (the oficio, a photo): new
            # ones go with the correction, tied to its event.
            uploads = [
                tickets.Upload(f.filename, f.stream)
                for f in form.attachments.data or []
                if f and f.filename
            ]
            stored: list[tuple[tickets.Upload, Any]] = []
            try:
                stored = tickets.store_uploads(
                    uploads, already=sum(a.size for a in ticket.attachments)
                )
                rows = tickets.attachment_rows(ticket, stored, current_user)
                db.session.flush()
                apply(
                    ticket.id,
                    "resubmit",
                    current_user,
                    workflow=workflow,
                    fields={"data": data, "attachment_ids": [row.id for row in rows]},
                    expected_version=int(form.version.data or 0) or None,
                )
            except tickets.FilingError as exc:
                db.session.rollback()
                form.attachments.errors = [issue.message for issue in exc.issues]
            except TransitionError as exc:
                db.session.rollback()
                for _upload, saved in stored:
                    tickets.storage().delete(saved.key)
                flash(exc.message, "error")
                return redirect(back)
            else:
                flash(_("Your corrected request was sent."), "success")
                return redirect(back)
    return render_template(
        "requests/resubmit.html",
        form=form,
        ticket=ticket,
        definition=service,
        service_fields=service_forms.service_field_names(service),
        last_reason=last_reason,
    )


def receipt(ticket: Ticket) -> Response:
    service = service_of(ticket)
    tenant = require_tenant()
    settings = _service_settings(ticket)
    pdf = render_pdf(
        "documents/receipt.html",
        ticket=ticket,
        service=service,
        tenant=tenant,
        follow_url=url_for("requests.show", folio=ticket.folio, _external=True),
        settings=settings,
        sla_policy=service_settings.request_sla(settings, ticket.data),
        clocks={c.target: c for c in sla.ticket_readings(ticket)},
    )
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="acuse-{ticket.folio}.pdf"'
    return response


def download(attachment_id: int) -> Response:
    attachment = db.session.scalar(select(Attachment).where(Attachment.id == attachment_id))
    if attachment is None:
        abort(404)
    ticket = db.session.scalar(
        visible(select(Ticket).where(Ticket.id == attachment.ticket_id), current_user)
    )
    if ticket is None:
        abort(404)
    response = send_file(
        tickets.storage().open(attachment.storage_key),
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachment.original_name,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
