"""A person's notifications: the list, newest first, and marking them read."""

from __future__ import annotations

from flask import Blueprint
from flask import redirect
from flask import render_template
from flask import url_for
from flask_login import current_user
from flask_login import login_required
from sqlalchemy import select
from sqlalchemy import update
from werkzeug.wrappers import Response

from helpdesk.extensions import db
from helpdesk.forms.tickets import MarkReadForm
from helpdesk.models import Notification
from helpdesk.models.base import utcnow
from helpdesk.tenancy import require_tenant

bp = Blueprint("notifications", __name__, url_prefix="/<tenant>/avisos")
PAGE_SIZE = 100


@bp.get("/")
@login_required
def index() -> str:
    require_tenant()
    rows = db.session.scalars(
        select(Notification)
        .where(Notification.user_id == current_user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(PAGE_SIZE)
    ).all()
    return render_template("notifications/index.html", rows=rows, form=MarkReadForm())


@bp.post("/leidas")
@login_required
def mark_read() -> Response:
    require_tenant()
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == current_user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return redirect(url_for(".index"))
