"""Tenant administration: services, offices and people of one tenant."""

from __future__ import annotations

from flask import Blueprint
from flask import render_template
from sqlalchemy import func
from sqlalchemy import select

from helpdesk import plugins
from helpdesk import service_settings
from helpdesk.auth import roles_required
from helpdesk.extensions import db
from helpdesk.models import Department
from helpdesk.models import Unit
from helpdesk.models import User
from helpdesk.tenancy import require_tenant

bp = Blueprint("admin", __name__, url_prefix="/<tenant>/admin")


@bp.before_request
@roles_required("tenant_admin")
def _admins_only() -> None:
    """Every page of this blueprint is for the tenant's administrators."""


@bp.get("/")
def index() -> str:
    tenant = require_tenant()
    offered = service_settings.tenant_services(tenant, plugins.host().catalog)
    db.session.commit()
    counts = {
        "services": sum(1 for item in offered if item.enabled),
        "catalog": len(offered),
        "units": db.session.scalar(select(func.count()).select_from(Unit)),
        "departments": db.session.scalar(select(func.count()).select_from(Department)),
        "users": db.session.scalar(select(func.count()).select_from(User)),
    }
    return render_template("admin/index.html", counts=counts)


from helpdesk.views.admin import calendar  # noqa: E402,F401
from helpdesk.views.admin import mail_templates  # noqa: E402,F401
from helpdesk.views.admin import offices  # noqa: E402,F401 - registers routes on bp
from helpdesk.views.admin import outbox  # noqa: E402,F401
from helpdesk.views.admin import services  # noqa: E402,F401
from helpdesk.views.admin import users  # noqa: E402,F401
