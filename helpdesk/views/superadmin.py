"""Superadmin pages: the tenants themselves."""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from helpdesk import plugins
from helpdesk import service_settings
from helpdesk.auth import roles_required
from helpdesk.extensions import db
from helpdesk.forms.admin import TenantForm
from helpdesk.models import Tenant
from helpdesk.tenancy import get_or_404

bp = Blueprint("superadmin", __name__, url_prefix="/superadmin")


@bp.before_request
@roles_required("superadmin")
def _superadmins_only() -> None:
    """Only superadmins manage tenants."""


@bp.get("/tenants")
def tenants() -> str:
    rows = db.session.scalars(select(Tenant).order_by(Tenant.name)).all()
    return render_template("superadmin/tenants.html", rows=rows)


def _save(tenant: Tenant | None) -> str | Response:
    form = TenantForm(obj=tenant)
    if form.validate_on_submit():
        target = tenant or Tenant()
        form.populate_obj(target)
        db.session.add(target)
        try:
            db.session.flush()
            service_settings.ensure_rows(target, plugins.host().catalog)
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            form.slug.errors = [_("Another tenant already uses this short name.")]
        else:
            flash(_("Saved."), "success")
            return redirect(url_for(".tenants"))
    return render_template("superadmin/tenant_form.html", form=form, row=tenant)


@bp.route("/tenants/new", methods=["GET", "POST"])
def new_tenant() -> str | Response:
    return _save(None)


@bp.route("/tenants/<int:tenant_id>", methods=["GET", "POST"])
def edit_tenant(tenant_id: int) -> str | Response:
    return _save(get_or_404(Tenant, tenant_id))
