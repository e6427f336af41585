"""Requesters' pages: the list of governments and each tenant's service catalog."""

from __future__ import annotations

from itertools import groupby

from flask import Blueprint
from flask import render_template
from flask import request
from sqlalchemy import select

from helpdesk import plugins
from helpdesk import service_settings
from helpdesk.extensions import db
from helpdesk.models import Tenant
from helpdesk.tenancy import require_tenant

bp = Blueprint("portal", __name__)


@bp.get("/")
def root() -> str:
    tenants = db.session.scalars(select(Tenant).where(Tenant.active).order_by(Tenant.name)).all()
    return render_template("portal/root.html", tenants=tenants)


def _matches(query: str, *texts: str) -> bool:
    words = query.casefold().split()
    haystack = " ".join(texts).casefold()
    return all(word in haystack for word in words)


@bp.get("/<tenant>/")
def index() -> str:
    tenant = require_tenant()
    query = request.args.get("q", "").strip()
    offered = [
        item
        for item in service_settings.tenant_services(tenant, plugins.host().catalog)
        if item.enabled and not item.definition.internal
    ]
    db.session.commit()  # new settings rows, if the catalog grew
    if query:
        offered = [
            item
            for item in offered
            if _matches(
                query, item.definition.code, item.definition.name, item.definition.description
            )
        ]
    offered.sort(key=lambda item: (item.definition.area, item.definition.code))
    groups = [(area, list(items)) for area, items in groupby(offered, lambda i: i.definition.area)]
    return render_template("portal/catalog.html", groups=groups, query=query)
