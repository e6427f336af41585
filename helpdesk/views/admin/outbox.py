"""The tenant's e-mail outbox: what waits, what failed, and a way to send it again.

Only this tenant's messages (:class:`~helpdesk.models.OutboxMessage` is
tenant-scoped; another tenant's id answers 404). A retry puts a failed message
back in line with its attempts from zero (:func:`helpdesk.outbox.retry`); it
leaves once the change is saved, after the response.
"""

from __future__ import annotations

from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func
from sqlalchemy import select
from werkzeug.wrappers import Response

from helpdesk import outbox
from helpdesk.extensions import db
from helpdesk.models import OutboxMessage
from helpdesk.tenancy import get_or_404
from helpdesk.tenancy import require_tenant
from helpdesk.views.admin import bp

FAILED_SHOWN = 500


@bp.get("/outbox")
def outbox_page() -> str:
    tenant = require_tenant()
    by_status = dict(
        db.session.execute(
            select(OutboxMessage.status, func.count(OutboxMessage.id))
            .where(OutboxMessage.tenant_id == tenant.id)
            .group_by(OutboxMessage.status)
        ).all()
    )
    counts = {
        "pending": by_status.get("pending", 0) + by_status.get("sending", 0),
        "failed": by_status.get("failed", 0),
        "sent": by_status.get("sent", 0),
    }
    failed = list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.tenant_id == tenant.id, OutboxMessage.status == "failed")
            .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
            .limit(FAILED_SHOWN)
        )
    )
    return render_template("admin/outbox.html", counts=counts, failed=failed)


@bp.post("/outbox/<int:message_id>/retry")
def retry_outbox_message(message_id: int) -> Response:
    message = get_or_404(OutboxMessage, message_id)
    if outbox.retry(message):
        db.session.commit()
        flash(
            _("The e-mail to %(recipient)s is back in line.", recipient=message.recipient),
            "success",
        )
    else:
        flash(_("That e-mail is not in the failed list any more."), "info")
    return redirect(url_for(".outbox_page"))


@bp.post("/outbox/retry-failed")
def retry_failed_outbox() -> Response:
    tenant = require_tenant()
    failed = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.tenant_id == tenant.id, OutboxMessage.status == "failed"
        )
    ).all()
    count = sum(1 for message in failed if outbox.retry(message))
    db.session.commit()
    if count:
        flash(
            ngettext(
                "%(num)s failed e-mail is back in line.",
                "%(num)s failed e-mails are back in line.",
                count,
            ),
            "success",
        )
    else:
        flash(_("No e-mail is in the failed list."), "info")
    return redirect(url_for(".outbox_page"))
