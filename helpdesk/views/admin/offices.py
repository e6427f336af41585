"""The tenant's offices: requesting units and handling departments.

Both are the same kind of page (a list, a form to add, a form to edit), so one
small table of differences drives both.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from helpdesk.extensions import db
from helpdesk.forms.admin import DepartmentForm
from helpdesk.forms.admin import UnitForm
from helpdesk.models import Department
from helpdesk.models import Unit
from helpdesk.tenancy import get_or_404
from helpdesk.tenancy import require_tenant
from helpdesk.views.admin import bp


@dataclass(frozen=True)
class OfficeKind:
    model: type[Unit] | type[Department]
    form: type[FlaskForm]
    plural: str
    singular: str
    endpoint: str
    duplicate_field: str
    order_by: str


KINDS = {
    "units": OfficeKind(
        Unit, UnitForm, _l("Requesting units"), _l("Requesting unit"), "units", "name", "name"
    ),
    "departments": OfficeKind(
        Department,
        DepartmentForm,
        _l("Departments"),
        _l("Department"),
        "departments",
        "code",
        "code",
    ),
}


def _list(kind: OfficeKind) -> str:
    rows = db.session.scalars(select(kind.model).order_by(getattr(kind.model, kind.order_by))).all()
    return render_template("admin/offices.html", kind=kind, rows=rows)


def _save(kind: OfficeKind, row: Unit | Department | None) -> str | Response:
    tenant = require_tenant()
    form = kind.form(obj=row)
    if form.validate_on_submit():
        target = row or kind.model(tenant_id=tenant.id)
        form.populate_obj(target)
        db.session.add(target)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            field = getattr(form, kind.duplicate_field)
            field.errors = [_("Another record of this tenant already uses this value.")]
        else:
            flash(_("Saved."), "success")
            return redirect(url_for(f".{kind.endpoint}"))
    return render_template("admin/office_form.html", kind=kind, form=form, row=row)


@bp.get("/units")
def units() -> str:
    return _list(KINDS["units"])


@bp.route("/units/new", methods=["GET", "POST"])
def new_unit() -> str | Response:
    return _save(KINDS["units"], None)


@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
def edit_unit(unit_id: int) -> str | Response:
    return _save(KINDS["units"], get_or_404(Unit, unit_id))


@bp.get("/departments")
def departments() -> str:
    return _list(KINDS["departments"])


@bp.route("/departments/new", methods=["GET", "POST"])
def new_department() -> str | Response:
    return _save(KINDS["departments"], None)


@bp.route("/departments/<int:department_id>", methods=["GET", "POST"])
def edit_department(department_id: int) -> str | Response:
    return _save(KINDS["departments"], get_or_404(Department, department_id))
