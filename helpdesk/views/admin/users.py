"""The tenant's people: staff accounts, requesters and their roles."""

from __future__ import annotations

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from helpdesk.auth import find_user_by_email
from helpdesk.auth import hash_password
from helpdesk.extensions import db
from helpdesk.forms.admin import UserForm
from helpdesk.forms.validators import choices
from helpdesk.models import Department
from helpdesk.models import RoleMembership
from helpdesk.models import Unit
from helpdesk.models import User
from helpdesk.tenancy import get_or_404
from helpdesk.tenancy import require_tenant
from helpdesk.views.admin import bp


@bp.get("/users")
def users() -> str:
    rows = db.session.scalars(select(User).order_by(User.name)).all()
    return render_template("admin/users.html", rows=rows)


def _choices(form: UserForm) -> None:
    none = [(0, "—")]
    units = db.session.scalars(select(Unit).where(Unit.active).order_by(Unit.name)).all()
    departments = db.session.scalars(
        select(Department).where(Department.active).order_by(Department.name)
    ).all()
    form.unit_id.choices = choices(none + [(u.id, u.name) for u in units])
    form.department_id.choices = choices(none + [(d.id, d.name) for d in departments])


def _save(user: User | None) -> str | Response:
    tenant = require_tenant()
    form = UserForm(obj=user)
    _choices(form)
    if user is not None and not form.is_submitted():
        form.roles.data = sorted(user.roles - {"superadmin"})
        form.unit_id.data = user.unit_id or 0
        form.department_id.data = user.department_id or 0
    if form.validate_on_submit():
        other = find_user_by_email(form.email.data)
        if other is not None and other is not user:
            form.email.errors = [_("Another account already uses this e-mail.")]
        elif user is None and not form.password.data:
            form.password.errors = [_("A new account needs a password.")]
        # current_user is a proxy, so compare ids: "user is current_user" is never true.
        elif (
            user is not None
            and user.id == current_user.id
            and "tenant_admin" not in form.roles.data
        ):
            form.roles.errors = [_("You cannot remove your own administrator role.")]
        else:
            target = user or User(tenant_id=tenant.id, kind="staff")
            target.name = form.name.data
            target.email = form.email.data
            target.unit_id = form.unit_id.data or None
            target.department_id = form.department_id.data or None
            target.active = form.active.data
            if form.password.data:
                target.password_hash = hash_password(form.password.data)
            keep = {m.role: m for m in target.memberships}
            target.memberships = [
                keep.get(role) or RoleMembership(role=role) for role in form.roles.data
            ]
            db.session.add(target)
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for(".users"))
    return render_template("admin/user_form.html", form=form, row=user)


@bp.route("/users/new", methods=["GET", "POST"])
def new_user() -> str | Response:
    return _save(None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int) -> str | Response:
    user = get_or_404(User, user_id)
    if user.is_superadmin:
        abort(404)
    return _save(user)
