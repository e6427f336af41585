"""Sign-in and sign-out, self-registration of external requesters, language."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_user
from flask_login import logout_user
from werkzeug.wrappers import Response

from helpdesk.auth import authenticate
from helpdesk.auth import find_user_by_email
from helpdesk.auth import hash_password
from helpdesk.config import SUPPORTED_LOCALES
from helpdesk.extensions import db
from helpdesk.extensions import limiter
from helpdesk.forms.auth import LoginForm
from helpdesk.forms.auth import RegisterForm
from helpdesk.models import RoleMembership
from helpdesk.models import User
from helpdesk.models.base import utcnow
from helpdesk.tenancy import require_tenant

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["HELPDESK_LOGIN_RATE_LIMIT"]


def _safe_next(target: str | None) -> str | None:
    # Only same-site paths: an absolute URL here would be an open redirect.
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def home_for(user: User) -> str:
    if user.tenant is None:
        return url_for("superadmin.tenants")
    if user.has_role("tenant_admin"):
        return url_for("admin.index", tenant=user.tenant.slug)
    return url_for("portal.index", tenant=user.tenant.slug)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors = [_("Wrong e-mail or password.")]
        else:
            login_user(user)
            user.last_login_at = utcnow()
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")) or home_for(user))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout() -> Response:
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/<tenant>/registro", methods=["GET", "POST"])
def register() -> str | Response:
    tenant = require_tenant()
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = RegisterForm()
    if form.validate_on_submit():
        if find_user_by_email(form.email.data) is not None:
            form.email.errors = [_("An account with this e-mail already exists. Sign in.")]
        else:
            user = User(
                tenant_id=tenant.id,
                email=form.email.data,
                name=form.name.data,
                kind=form.kind.data,
                organization=form.organization.data or None,
                phone=form.phone.data or None,
                password_hash=hash_password(form.password.data),
            )
            user.memberships.append(RoleMembership(role="requester"))
            db.session.add(user)
            db.session.commit()
            login_user(user)
            flash(_("Your account is ready."), "success")
            return redirect(url_for("portal.index", tenant=tenant.slug))
    return render_template("auth/register.html", form=form)


@bp.post("/idioma")
def set_locale() -> Response:
    code = request.form.get("locale", "")
    if code in SUPPORTED_LOCALES:
        session["locale"] = code
        if current_user.is_authenticated:
            current_user.locale = code
            db.session.commit()
    return redirect(_safe_next(request.form.get("next")) or url_for("portal.root"))
