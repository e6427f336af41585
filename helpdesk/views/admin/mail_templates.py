"""The tenant's wording of its notification e-mails (helpdesk/mail_templates.py).

A template is checked whole (syntax, variables, sandbox, a trial rendering,
the variables its kind requires) before anything is written: a refused one
leaves the stored wording as it was.
"""

from __future__ import annotations

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from helpdesk import mail_templates
from helpdesk.extensions import db
from helpdesk.forms.notifications import MailTemplateActionForm
from helpdesk.forms.notifications import MailTemplateForm
from helpdesk.forms.notifications import describe
from helpdesk.mail_templates import MailTemplateError
from helpdesk.mail_templates import RenderedMail
from helpdesk.models import MailTemplate
from helpdesk.models import Tenant
from helpdesk.models.base import utcnow
from helpdesk.tenancy import require_tenant
from helpdesk.views.admin import bp


def _kind_or_404(kind: str) -> mail_templates.MailKind:
    found = mail_templates.KINDS.get(kind)
    if found is None:
        abort(404)
    return found


def _audience(kind: str) -> str:
    requesters = kind in mail_templates.REQUESTER_KINDS
    staff = kind in mail_templates.STAFF_KINDS
    return "both" if requesters and staff else "staff" if staff else "requesters"


@bp.get("/mail")
def mail_templates_page() -> str:
    tenant = require_tenant()
    custom = {
        row.kind: row
        for row in db.session.scalars(
            select(MailTemplate).where(MailTemplate.tenant_id == tenant.id)
        )
    }
    items = [
        {
            "kind": kind,
            "label": spec.label,
            "audience": _audience(kind),
            "subject": custom[kind].subject if kind in custom else spec.subject,
            "custom": custom.get(kind),
        }
        for kind, spec in mail_templates.KINDS.items()
    ]
    return render_template("admin/mail_templates.html", items=items)


def _describe(error: MailTemplateError) -> str:
    """What is wrong, in the reader's language; a missing required variable says why it matters."""
    if error.problem != "missing_variable":
        return describe(error)
    if error.detail == "survey_link":
        return _(
            "The template must include {{ survey_link }}: without it, the requester does not "
            "receive the survey link."
        )
    return _("The template must include {{ %(name)s }}.", name=error.detail)


def _note(form: MailTemplateForm, error: MailTemplateError) -> None:
    field = {"subject": form.subject, "text": form.text_body, "html": form.html_body}[error.part]
    field.errors = [*field.errors, _describe(error)]


def _preview(tenant: Tenant, kind: str, form: MailTemplateForm) -> RenderedMail | None:
    """The form's templates filled in with the sample request (None after noting why not)."""
    try:
        return mail_templates.preview(
            tenant, kind, form.subject.data, form.text_body.data, form.html_body.data or ""
        )
    except MailTemplateError as exc:
        _note(form, exc)
        return None


def _has_required(kind: str, form: MailTemplateForm) -> bool:
    """Whether the (valid) form uses every variable ``kind`` requires; if not, notes what lacks.

    The form checks what every kind shares; what one kind requires is checked here.
    """
    found = mail_templates.problems(
        form.subject.data, form.text_body.data, form.html_body.data or "", kind=kind
    )
    for error in found:
        _note(form, error)
    return not found


@bp.route("/mail/<kind>", methods=["GET", "POST"])
def edit_mail_template(kind: str) -> str | Response:
    tenant = require_tenant()
    spec = _kind_or_404(kind)
    row = mail_templates.custom_template(tenant, kind)
    preview = None
    if request.method == "GET":
        subject, text, html = mail_templates.template_for(tenant, kind)
        form = MailTemplateForm(
            formdata=None, data={"subject": subject, "text_body": text, "html_body": html}
        )
        preview = _preview(tenant, kind, form)
    else:
        form = MailTemplateForm()
        previewing = request.form.get("action") == "preview"
        if form.validate_on_submit():
            if previewing:
                preview = _preview(tenant, kind, form)
            elif _has_required(kind, form) and _save(tenant, kind, row, form):
                flash(_("The e-mail “%(label)s” was saved.", label=spec.label), "success")
                return redirect(url_for(".edit_mail_template", kind=kind))
    return render_template(
        "admin/mail_template_edit.html",
        kind=kind,
        spec=spec,
        custom=row,
        form=form,
        preview=preview,
        action=MailTemplateActionForm(formdata=None),
        variables=[(name, mail_templates.VARIABLE_HELP[name]) for name in mail_templates.VARIABLES],
        required=spec.required,
        audience=_audience(kind),
    )


def _save(tenant: Tenant, kind: str, row: MailTemplate | None, form: MailTemplateForm) -> bool:
    """Store the checked templates; False (with a note on the form) if someone saved first."""
    if row is None:
        row = MailTemplate(tenant_id=tenant.id, kind=kind)
        db.session.add(row)
    row.subject = form.subject.data
    row.text_body = form.text_body.data
    row.html_body = form.html_body.data or ""
    row.updated_at = utcnow()
    try:
        db.session.commit()
    except IntegrityError:  # the first custom wording, saved meanwhile by someone else
        db.session.rollback()
        form.form_errors.append(
            _("Someone else saved this e-mail meanwhile; review it and save again.")
        )
        return False
    return True


@bp.post("/mail/<kind>/restore")
def restore_mail_template(kind: str) -> Response:
    """Go back to the built-in wording (the tenant's row is deleted)."""
    tenant = require_tenant()
    spec = _kind_or_404(kind)
    if not MailTemplateActionForm().validate_on_submit():
        abort(400)
    row = mail_templates.custom_template(tenant, kind)
    if row is not None:
        db.session.delete(row)
        db.session.commit()
    flash(_("The e-mail “%(label)s” uses the built-in wording again.", label=spec.label), "success")
    return redirect(url_for(".edit_mail_template", kind=kind))
