"""A person's notifications: the list, newest first, marking them read, and e-mail preferences."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_required
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from helpdesk import mail_templates
from helpdesk import notifications
from helpdesk.extensions import db
from helpdesk.forms.notifications import preferences_form
from helpdesk.forms.tickets import MarkReadForm
from helpdesk.models import Notification
from helpdesk.models import NotificationPreference
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
    return render_template(
        "notifications/index.html",
        rows=rows,
        unread=notifications.unread_count(current_user),
        form=MarkReadForm(),
    )


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


@bp.get("/<int:notification_id>")
@login_required
def open_notification(notification_id: int) -> Response:
    """Mark one of the person's own notifications read and go to its ticket (others: 404)."""
    require_tenant()
    row = db.session.scalar(
        select(Notification).where(
            Notification.id == notification_id, Notification.user_id == current_user.id
        )
    )
    if row is None:
        abort(404)
    if row.read_at is None:
        row.read_at = utcnow()
        db.session.commit()
    if row.ticket is None:
        return redirect(url_for(".index"))
    endpoint = "desk.ticket" if current_user.is_staff else "requests.show"
    return redirect(url_for(endpoint, folio=row.ticket.folio))


def _current_choices(kinds: list[str]) -> dict[str, bool]:
    return {
        row.kind: row.email
        for row in db.session.scalars(
            select(NotificationPreference).where(
                NotificationPreference.user_id == current_user.id,
                NotificationPreference.kind.in_(kinds),
            )
        )
    }


def _store_choices(choices: dict[str, bool]) -> None:
    stored = {
        row.kind: row
        for row in db.session.scalars(
            select(NotificationPreference).where(
                NotificationPreference.user_id == current_user.id,
                NotificationPreference.kind.in_(list(choices)),
            )
        )
    }
    for kind, email in choices.items():
        row = stored.get(kind)
        if row is None:
            db.session.add(NotificationPreference(user_id=current_user.id, kind=kind, email=email))
        else:
            row.email = email
    db.session.commit()


@bp.route("/preferencias", methods=["GET", "POST"])
@login_required
def preferences() -> str | Response:
    """Which notifications the person also wants by e-mail (in-app ones are always kept)."""
    require_tenant()
    kinds = mail_templates.kinds_for(current_user)
    current = _current_choices(kinds)
    form = preferences_form(kinds, current)
    if form.validate_on_submit():
        choices = {kind: bool(form[kind].data) for kind in kinds}
        try:
            _store_choices(choices)
        except IntegrityError:  # the same person saving twice at once: the later one wins
            db.session.rollback()
            _store_choices(choices)
        flash(_("Your notification preferences were saved."), "success")
        return redirect(url_for(".preferences"))
    return render_template(
        "notifications/preferences.html",
        form=form,
        kinds=kinds,
    )
