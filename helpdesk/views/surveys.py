"""Satisfaction surveys (issue 7): answering them, by link or signed in, and their follow-up.

The link's page needs no account: its token is the credential, and the page
is rate-limited per address (``HELPDESK_SURVEY_RATE_LIMIT``). A malformed,
altered or another tenant's token is 404, like a folio that is not one's own;
an answered or expired survey is 410 with a page that says which. The
requester may also answer from their ticket (404 for anyone else). The
follow-up list is for the tenant's coordinators and admins, a page at a time;
its whole length downloads as CSV or XLSX (:mod:`helpdesk.exports`) with the
page's columns and values, under the same access rule.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_login import login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from helpdesk import exports
from helpdesk import plugins
from helpdesk import survey_follow_up
from helpdesk import surveys
from helpdesk.auth import roles_required
from helpdesk.extensions import db
from helpdesk.extensions import limiter
from helpdesk.models import Survey
from helpdesk.models import Ticket
from helpdesk.models.base import utcnow
from helpdesk.survey_follow_up import YES_NO_LABELS
from helpdesk.surveys import RATING_LABELS
from helpdesk.tenancy import get_or_404
from helpdesk.tenancy import require_tenant

bp = Blueprint("surveys", __name__, url_prefix="/<tenant>")

# The follow-up list's filters: the CAU document's scale (Satisfecho / Regular /
# Insatisfecho), in the reader's language, or every answer.
FILTER_LABELS = {
    "unsatisfied": _l("Unsatisfied"),
    "regular": _l("Regular"),
    "satisfied": _l("Satisfied"),
    "all": _l("All answers"),
}


def _survey_limit() -> str:
    return current_app.config.get("HELPDESK_SURVEY_RATE_LIMIT", "30/minute")


# --- answering ----------------------------------------------------------------------------


@bp.route("/encuesta/<token>", methods=["GET", "POST"])
@limiter.limit(_survey_limit)
def answer(token: str) -> Any:
    """Anyone with the link answers; no account needed."""
    require_tenant()
    survey = surveys.find_by_token(token)
    if survey is None:
        abort(404)
    response = make_response(
        _answer_page(survey, action=url_for(".answer", token=token), signed_in=False)
    )
    # The address is a credential: keep the page out of shared caches and histories.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/solicitudes/<folio>/encuesta", methods=["GET", "POST"])
@login_required
def answer_signed_in(folio: str) -> Any:
    """The ticket's requester answers from the ticket; 404 for everyone else."""
    require_tenant()
    survey = db.session.scalar(
        select(Survey)
        .join(Ticket, Ticket.id == Survey.ticket_id)
        .where(Ticket.folio == folio, Ticket.requester_id == current_user.id)
    )
    if survey is None:
        abort(404)
    return _answer_page(survey, action=url_for(".answer_signed_in", folio=folio), signed_in=True)


def _answer_page(survey: Survey, *, action: str, signed_in: bool) -> Any:
    ticket = db.session.get(Ticket, survey.ticket_id)
    service = plugins.host().catalog.get(survey.service_code)
    questions = surveys.questions_for(survey)
    context = {
        "survey": survey,
        "ticket": ticket,
        "service_name": service.name if service is not None else survey.service_code,
        "questions": questions,
        "action": action,
        "scale": RATING_LABELS,
        "yes_no": YES_NO_LABELS,
        "max_comment": surveys.MAX_COMMENT,
        "max_text": surveys.MAX_TEXT_ANSWER,
    }
    state = surveys.status(survey)
    if state != "open":
        return render_template("surveys/closed.html", state=state, **context), 410
    if request.method != "POST":
        return render_template("surveys/answer.html", errors={}, values={}, **context)
    values = {name: request.form.get(name, "") for name in request.form}
    try:
        surveys.answer(
            survey,
            rating=request.form.get("rating"),
            comment=request.form.get("comment"),
            answers={q.code: request.form.get(f"q_{q.code}") for q in questions},
        )
    except surveys.SurveyError as exc:
        db.session.rollback()
        if exc.closed:
            return render_template("surveys/closed.html", state=exc.closed, **context), 410
        return render_template(
            "surveys/answer.html", errors=exc.errors, values=values, **context
        ), 400
    if signed_in:
        flash(_("Thank you: your answer to the satisfaction survey was recorded."), "success")
        return redirect(url_for("requests.show", folio=ticket.folio))
    return render_template("surveys/thanks.html", **context)


# --- follow-up ----------------------------------------------------------------------------

# The filters in the files' names, in Spanish like the addresses.
FILE_FILTERS = {
    "unsatisfied": "insatisfechas",
    "regular": "regulares",
    "satisfied": "satisfechas",
    "all": "todas",
}


def _follow_up_page(
    rating: str,
    asked: str | None,
    *,
    errors: dict[int, Any] | None = None,
    notes: dict[int, str] | None = None,
    status: int = 200,
) -> Any:
    tenant = require_tenant()
    counts = survey_follow_up.answer_counts()
    page = survey_follow_up.follow_up_page(rating, asked, counts, tenant.timezone)
    body = render_template(
        "surveys/follow_up.html",
        page=page,
        rows=page.rows,
        rating=rating,
        counts=counts,
        labels=RATING_LABELS,
        filters=FILTER_LABELS,
        errors=errors or {},
        notes=notes or {},
        max_note=survey_follow_up.MAX_NOTE,
    )
    return body, status


def _rating_filter(value: str | None) -> str:
    return value if value in survey_follow_up.RATING_FILTERS else "unsatisfied"


def _page_arg(value: str | None) -> int | None:
    """The page to come back to after a follow-up (None for the first)."""
    number = survey_follow_up.page_number(value)
    return number if number is not None and number > 1 else None


@bp.get("/encuestas/seguimiento")
@roles_required("coordinator", "tenant_admin")
def follow_up() -> Any:
    """Answered surveys, unsatisfied ones awaiting follow-up first, then newest first,
    ``PAGE_SIZE`` a page (``?pagina=N``; a page that does not exist shows the nearest)."""
    require_tenant()
    return _follow_up_page(
        _rating_filter(request.args.get("calificacion")), request.args.get("pagina")
    )


@bp.get("/encuestas/seguimiento/exportar.<any(csv, xlsx):fmt>")
@roles_required("coordinator", "tenant_admin")
def export_follow_up(fmt: str) -> Response:
    """The whole list of the filter (every page), as CSV or XLSX, with the page's columns."""
    tenant = require_tenant()
    rating = _rating_filter(request.args.get("calificacion"))
    table = survey_follow_up.follow_up_table(
        survey_follow_up.follow_up_rows(survey_follow_up.answered(rating), tenant.timezone)
    )
    now = utcnow().astimezone(ZoneInfo(tenant.timezone))
    filename = f"encuestas-{tenant.slug}-{FILE_FILTERS[rating]}-{now:%Y-%m-%d}.{fmt}"
    if fmt == "csv":
        body, mimetype = exports.to_csv(table), f"{exports.CSV_MIMETYPE}; charset=utf-8"
    else:
        heading = exports.Heading(
            tenant.name,
            _("Answers shown: %(filter)s", filter=FILTER_LABELS[rating]),
            (_("Downloaded on %(date)s", date=now.strftime(survey_follow_up.MOMENT_FORMAT)),),
        )
        body, mimetype = exports.to_xlsx([table], heading), exports.XLSX_MIMETYPE
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.post("/encuestas/<int:survey_id>/seguimiento")
@roles_required("coordinator", "tenant_admin")
def record_follow_up(survey_id: int) -> Any:
    require_tenant()
    survey = get_or_404(Survey, survey_id)
    rating = _rating_filter(request.form.get("calificacion"))
    asked = request.form.get("pagina")
    note = request.form.get("note", "")
    try:
        survey_follow_up.follow_up(survey, current_user, note)
    except surveys.SurveyError as exc:
        db.session.rollback()
        return _follow_up_page(
            rating,
            asked,
            errors={survey_id: exc.errors["note"]},
            notes={survey_id: note},
            status=400,
        )
    folio = db.session.get(Ticket, survey.ticket_id).folio
    flash(_("Follow-up recorded for %(folio)s.", folio=folio), "success")
    target: Response = redirect(url_for(".follow_up", calificacion=rating, pagina=_page_arg(asked)))
    return target
