"""Which catalog services the tenant offers, and their local settings."""

from __future__ import annotations

from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from helpdesk import office_hours
from helpdesk import plugins
from helpdesk import service_settings
from helpdesk import sla
from helpdesk.extensions import db
from helpdesk.forms.admin import ServiceSettingsForm
from helpdesk.forms.validators import choices
from helpdesk.models import Department
from helpdesk.models import TenantService
from helpdesk.tenancy import get_or_404
from helpdesk.tenancy import require_tenant
from helpdesk.views.admin import bp


@bp.get("/services")
def services() -> str:
    tenant = require_tenant()
    items = service_settings.tenant_services(tenant, plugins.host().catalog)
    db.session.commit()
    return render_template("admin/services.html", items=items)


@bp.post("/services/<int:setting_id>/toggle")
def toggle_service(setting_id: int) -> Response:
    setting = get_or_404(TenantService, setting_id)
    if setting.service_code not in plugins.host().catalog:
        flash(_("That service is no longer in the catalog."), "error")
        return redirect(url_for(".services"))
    setting.enabled = not setting.enabled
    db.session.commit()
    message = _("Service %(code)s enabled.") if setting.enabled else _("Service %(code)s disabled.")
    flash(message % {"code": setting.service_code}, "success")
    return redirect(url_for(".services"))


def _fill_days(form: ServiceSettingsForm, hours: office_hours.WeeklyHours) -> None:
    for day, entry in enumerate(form.days.entries):
        intervals = hours.get(day) or ()
        if intervals:
            entry.form.opens.data = intervals[0][0].strftime("%H:%M")
            entry.form.closes.data = intervals[0][1].strftime("%H:%M")


@bp.route("/services/<int:setting_id>", methods=["GET", "POST"])
def edit_service(setting_id: int) -> str | Response:
    tenant = require_tenant()
    setting = get_or_404(TenantService, setting_id)
    definition = plugins.host().catalog.get(setting.service_code)
    if definition is None:
        return render_template("errors/error.html", status=404), 404
    current = service_settings.effective(definition, setting, tenant)
    form = ServiceSettingsForm(obj=setting if request.method == "GET" else None)
    departments = db.session.scalars(
        select(Department).where(Department.active).order_by(Department.name)
    ).all()
    default_label = _("Plugin default (%(code)s)") % {"code": definition.department}
    form.department_id.choices = choices(
        [(0, default_label)] + [(d.id, d.name) for d in departments]
    )
    if request.method == "GET":
        form.department_id.data = setting.department_id or 0
        form.respond_unit.data = setting.respond_unit or "hours"
        form.resolve_unit.data = setting.resolve_unit or "hours"
        form.custom_hours.data = setting.office_hours is not None
        _fill_days(form, current.office_hours)
    if form.validate_on_submit():
        setting.enabled = form.enabled.data
        setting.department_id = form.department_id.data or None
        setting.respond_amount = form.respond_amount.data
        setting.respond_unit = form.respond_unit.data if form.respond_amount.data else None
        setting.resolve_amount = form.resolve_amount.data
        setting.resolve_unit = form.resolve_unit.data if form.resolve_amount.data else None
        setting.office_hours = (
            office_hours.to_json(form.parsed_hours) if form.custom_hours.data else None
        )
        db.session.flush()
        # Open tickets' due moments follow the new targets and hours at once.
        sla.refresh_open(tenant, definition.code)
        db.session.commit()
        flash(_("Settings of %(code)s saved.") % {"code": definition.code}, "success")
        return redirect(url_for(".services"))
    return render_template(
        "admin/service_edit.html", form=form, item=current, definition=definition
    )
